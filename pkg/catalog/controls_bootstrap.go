//go:build gencontrols

package catalog

// generatedControls is empty while the generator (internal/gencontrols) is built with the
// gencontrols tag: it reads controls/*.yaml through Load and needs the package to compile
// without the file it is about to write.
var generatedControls []*Control
