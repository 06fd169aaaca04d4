package bench

import "fmt"

func fmtSscan(s string, v *int) (int, error) { return fmt.Sscan(s, v) }

func fmtCopy(i int) string { return fmt.Sprintf("copy-%03d", i) }
