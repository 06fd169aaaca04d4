package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type pidList []int

func (p *pidList) String() string { return fmt.Sprint([]int(*p)) }

func (p *pidList) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return fmt.Errorf("bad pid %q", s)
	}
	*p = append(*p, n)
	return nil
}

// runWait polls a health endpoint until it answers 200 OK. It exists so
// that the start script can tell "still starting" from "crashed" quickly:
// if any watched process exits, waiting stops at once instead of running
// into the deadline.
func runWait(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ContinueOnError)
	target := fs.String("url", "", "URL to poll")
	cacert := fs.String("cacert", "", "CA bundle to verify the server with")
	cert := fs.String("cert", "", "client certificate")
	key := fs.String("key", "", "client key")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	var pids pidList
	fs.Var(&pids, "pid", "process that must stay alive while waiting (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *target == "" {
		return errors.New("--url is required")
	}

	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if *cacert != "" {
		pemData, err := os.ReadFile(*cacert)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			return fmt.Errorf("no certificates in %s", *cacert)
		}
		tlsConfig.RootCAs = pool
	}
	if *cert != "" || *key != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			return err
		}
		tlsConfig.Certificates = []tls.Certificate{pair}
	}
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: tlsConfig, DisableKeepAlives: true},
	}

	deadline := time.Now().Add(*timeout)
	lastErr := errors.New("no attempt made")
	for {
		for _, pid := range pids {
			if !alive(pid) {
				return fmt.Errorf("process %d exited while waiting for %s (last result: %v)", pid, *target, lastErr)
			}
		}
		lastErr = probe(client, *target)
		if lastErr == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s: %v", *target, *timeout, lastErr)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func probe(client *http.Client, target string) error {
	resp, err := client.Get(target)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}

// alive reports whether pid is a live process. A zombie counts as dead: the
// start script may not have reaped a crashed child yet.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		// No procfs: trust the signal check above.
		return true
	}
	// The state letter follows the parenthesised command name, which may
	// itself contain spaces or parentheses.
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] != 'Z'
	}
	return true
}
