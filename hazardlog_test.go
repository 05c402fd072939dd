package ohcontact_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHazardLogTestsExist checks the clinical safety hazard log: every
// hazard names the tests that prove its controls, and each of those tests
// exists, so a renamed or deleted test cannot leave a control unproven.
func TestHazardLogTestsExist(t *testing.T) {
	log, err := os.ReadFile("docs/clinical-safety/hazard-log.md")
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	testFunc := regexp.MustCompile(`(?m)^func (Test\w+)\(`)
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != "." {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range testFunc.FindAllStringSubmatch(string(src), -1) {
			defined[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	named := regexp.MustCompile("`(Test\\w+)`")
	hazards := strings.Split(string(log), "\n## ")[1:]
	if len(hazards) < 15 {
		t.Fatalf("the log has %d hazards; DOMAIN.md lists 15", len(hazards))
	}
	for _, h := range hazards {
		title := strings.SplitN(h, "\n", 2)[0]
		_, tests, ok := strings.Cut(h, "- Tests:")
		if !ok {
			t.Errorf("%s: no Tests line", title)
			continue
		}
		tests, _, _ = strings.Cut(tests, "\n- ")
		names := named.FindAllStringSubmatch(tests, -1)
		if len(names) == 0 {
			t.Errorf("%s: names no test", title)
		}
		for _, n := range names {
			if !defined[n[1]] {
				t.Errorf("%s: test %s does not exist", title, n[1])
			}
		}
	}
}
