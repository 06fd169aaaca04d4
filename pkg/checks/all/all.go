// Package all links every check package into the binary; importing it registers all checks.
package all

import (
	_ "github.com/kubeharden/kubeharden/pkg/checks/controlplane"
	_ "github.com/kubeharden/kubeharden/pkg/checks/live"
	_ "github.com/kubeharden/kubeharden/pkg/checks/logging"
	_ "github.com/kubeharden/kubeharden/pkg/checks/network"
	_ "github.com/kubeharden/kubeharden/pkg/checks/node"
	_ "github.com/kubeharden/kubeharden/pkg/checks/pod"
	_ "github.com/kubeharden/kubeharden/pkg/checks/rbac"
	_ "github.com/kubeharden/kubeharden/pkg/checks/secrets"
	_ "github.com/kubeharden/kubeharden/pkg/checks/versions"
)
