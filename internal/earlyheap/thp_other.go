//go:build !linux

package earlyheap

func getenv(key string) string { return "" }

func kernelSaysNever() bool { return true }
