// Package version reports kubeharden's own version. Release builds set Version with
// -ldflags "-X github.com/kubeharden/kubeharden/internal/version.Version=v1.2.3"; other builds
// fall back to the module version or VCS revision recorded by the Go toolchain.
package version

import (
	"runtime/debug"
)

// Version is set at link time for releases.
var Version = ""

// Get returns the best available version string.
func Get() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// GoVersion is the Go release the binary was built with.
func GoVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.GoVersion
	}
	return "unknown"
}
