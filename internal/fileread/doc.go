// Package fileread reads input files whole, with a size limit, as cheaply as the platform
// allows: a scan opens thousands of small files, so the cost of each open counts. Pipes and
// devices (`kubeharden scan <(helm template ...)`) are read to their end.
package fileread
