//go:build unix

// Command measure runs a command several times and prints its median and best wall time, its
// median CPU time, its peak resident memory (from the kernel's rusage) and its highest exit
// status, for scripts/bench-corpus and the cluster benchmark.
//
// The kernel counts into a child's peak RSS the size of the process that started it (the count
// survives exec), so a command must be started from a small process like this one for its own
// peak to be seen.
//
//	go run ./test/bench/measure -n 10 -- kubeharden scan corpus/ -o json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"time"
)

func main() {
	n := flag.Int("n", 10, "runs")
	summary := flag.String("summary", "", "print the counts of a JSON report and exit")
	flag.Parse()
	if *summary != "" {
		printSummary(*summary)
		return
	}
	args := flag.Args()
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: measure [-n N] -- command args...")
		os.Exit(2)
	}
	var walls, cpus []time.Duration
	var maxRSS int64
	exit := 0
	for range *n {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stderr = os.Stderr
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if err != nil {
			if _, ok := err.(*exec.ExitError); !ok {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			exit = max(exit, cmd.ProcessState.ExitCode())
		}
		walls = append(walls, wall)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > maxRSS {
			maxRSS = ru.Maxrss // KiB on Linux
		}
		cpus = append(cpus, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	// CPU time (user + system) is printed too: on a shared machine it varies far less than wall
	// time, which other processes stretch.
	fmt.Printf("runs=%d median_s=%.4f best_s=%.4f median_cpu_s=%.4f peak_rss_mib=%.1f exit=%d\n",
		*n, walls[len(walls)/2].Seconds(), walls[0].Seconds(), cpus[len(cpus)/2].Seconds(), float64(maxRSS)/1024, exit)
}

// printSummary prints "files objects unknownKinds errors skippedFiles findings" of a report.
func printSummary(file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var r struct {
		Summary struct {
			Inputs struct {
				Files, Objects, UnknownKinds int
				SkippedFiles                 []any
			}
		}
		Findings []json.RawMessage
		Errors   []json.RawMessage
	}
	if err := json.Unmarshal(data, &r); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	in := r.Summary.Inputs
	fmt.Println(in.Files, in.Objects, in.UnknownKinds, len(r.Errors), len(in.SkippedFiles), len(r.Findings))
}
