// Package all links every output format into the binary.
package all

import (
	_ "github.com/kubeharden/kubeharden/pkg/report/json"
	_ "github.com/kubeharden/kubeharden/pkg/report/junit"
	_ "github.com/kubeharden/kubeharden/pkg/report/sarif"
	_ "github.com/kubeharden/kubeharden/pkg/report/table"
	_ "github.com/kubeharden/kubeharden/pkg/report/yaml"
)
