package earlyheap

import "syscall"

// getenv reads the environment through package syscall: package os may not be initialised yet.
func getenv(key string) string {
	v, _ := syscall.Getenv(key)
	return v
}

// kernelSaysNever reports whether the kernel's transparent huge pages are set to "never", which
// MADV_COLLAPSE does not obey by itself.
func kernelSaysNever() bool {
	fd, err := syscall.Open("/sys/kernel/mm/transparent_hugepage/enabled", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return true // no transparent huge pages at all
	}
	defer syscall.Close(fd)
	var buf [128]byte
	n, _ := syscall.Read(fd, buf[:])
	const never = "[never]"
	for i := 0; i+len(never) <= n; i++ {
		if string(buf[i:i+len(never)]) == never {
			return true
		}
	}
	return false
}
