package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// runFreePorts prints n distinct ports that the kernel reports free on
// 127.0.0.1. All listeners are held open until every port is chosen so the
// kernel cannot hand out the same port twice; they are closed just before
// printing, leaving a short window in which another process could take one.
// The ports come from the ephemeral range, where reuse within that window is
// rare, which is good enough for side-by-side test clusters.
func runFreePorts(args []string) error {
	if len(args) != 1 {
		return errors.New("want exactly one argument, the number of ports")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 || n > 64 {
		return fmt.Errorf("bad port count %q", args[0])
	}
	ports, err := freePorts(n)
	if err != nil {
		return err
	}
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(p)
	}
	fmt.Println(strings.Join(s, " "))
	return nil
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
