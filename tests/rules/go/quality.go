// Samples for config/rules/quality/go.yaml (codomyrmex rules test).
package quality

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func ignored(s string, f *os.File, m map[string]int, v interface{}) int {
	// ruleid: go.ignored-error
	n, _ := strconv.Atoi(s)
	// ruleid: go.ignored-error
	_ = f.Close()
	var k int
	// ruleid: go.ignored-error
	k, _ = strconv.Atoi(s)
	// ok: go.ignored-error
	x, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	// ok: go.ignored-error
	y, _ := m[s]
	// ok: go.ignored-error
	z, _ := v.(int)
	return n + k + x + y + z
}

func closeAll(paths []string) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		// ruleid: go.defer-in-loop
		defer f.Close()
	}
	for i := 0; i < len(paths); i++ {
		if paths[i] != "" {
			// ruleid: go.defer-in-loop
			defer fmt.Println(paths[i])
		}
	}
	for _, p := range paths {
		func() {
			f, err := os.Open(p)
			if err != nil {
				return
			}
			// ok: go.defer-in-loop
			defer f.Close()
		}()
	}
	// ok: go.defer-in-loop
	defer fmt.Println("done")
	return nil
}

func emptyChecks(p string) {
	_, err := os.Stat(p)
	// ruleid: go.empty-error-check
	if err != nil {
	}
	// ruleid: go.empty-error-check
	if _, statErr := os.Stat(p); statErr != nil {}
	// ok: go.empty-error-check
	if err != nil {
		// Missing file is fine here.
	}
	// ok: go.empty-error-check
	if err != nil {
		fmt.Println(err)
	}
}

func simplifications(start time.Time, name string, a, b string) (time.Duration, string, error) {
	// ruleid: go.time-since
	d := time.Now().Sub(start)
	// ok: go.time-since
	d2 := time.Since(start) + time.Now().Add(time.Hour).Sub(start) - d
	// ruleid: go.sprintf-no-args
	s := fmt.Sprintf("constant")
	// ok: go.sprintf-no-args
	s2 := fmt.Sprintf("100%%")
	// ok: go.sprintf-no-args
	s3 := fmt.Sprintf("hello %s", name)
	if s == s2+s3 {
		// ruleid: go.errors-new-sprintf
		return d2, "", errors.New(fmt.Sprintf("bad name %q", name))
	}
	// ok: go.errors-new-sprintf
	err := errors.New("plain")
	// ruleid: go.equal-fold
	if strings.ToLower(a) == strings.ToLower(b) {
		return 0, "", err
	}
	// ok: go.equal-fold
	if strings.ToLower(a) == strings.ToUpper(b) || strings.EqualFold(a, b) {
		return 0, "", err
	}
	return d, s, nil
}

func selfCompare(x, y float64, ok bool) bool {
	// ruleid: go.self-comparison
	if x == x {
		return true
	}
	// ruleid: go.self-comparison
	return ok && ok || x != y
}
