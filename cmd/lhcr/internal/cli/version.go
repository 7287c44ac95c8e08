package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/gm-lhcr/lhcr/sdk"
)

// version is the CLI's version: the module version it was built at, else "devel".
var version = func() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}()

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the CLI's and the SDK's versions",
		Example: "  lhcr version",
		Args:    args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.output != "table" {
				return a.printValue(map[string]string{"lhcr": version, "sdk": sdk.SDKVersion, "go": runtime.Version()})
			}
			_, err := fmt.Fprintf(a.stdout, "lhcr %s (sdk %s, %s)\n", version, sdk.SDKVersion, runtime.Version())
			return err
		},
	}
}
