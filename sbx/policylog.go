package sbx

import (
	"bufio"
	"strings"
)

// Request is one host in sbx's network log.
type Request struct {
	Host    string
	Blocked bool
	Count   string
}

// ParsePolicyLog reads the two tables of `sbx policy log` ("Blocked
// requests:" and "Allowed requests:", columns SANDBOX TYPE HOST … COUNT),
// slicing rows at the header's column positions.
func ParsePolicyLog(out string) []Request {
	var entries []Request
	blocked := false
	hostCol, hostEnd, countCol := -1, -1, -1
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		low := strings.ToLower(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(low, "blocked requests"):
			blocked, hostCol = true, -1
			continue
		case strings.HasPrefix(low, "allowed requests"):
			blocked, hostCol = false, -1
			continue
		case strings.HasPrefix(line, "SANDBOX") && strings.Contains(line, "HOST"):
			hostCol = strings.Index(line, "HOST")
			hostEnd = strings.Index(line, "PROXY")
			countCol = strings.Index(line, "COUNT")
			continue
		}
		if hostCol < 0 || len(line) <= hostCol || strings.TrimSpace(line) == "" {
			continue
		}
		end := len(line)
		if hostEnd > hostCol && hostEnd < end {
			end = hostEnd
		}
		f := strings.Fields(line[hostCol:end])
		if len(f) == 0 {
			continue
		}
		e := Request{Host: f[0], Blocked: blocked}
		if countCol >= 0 && countCol < len(line) {
			e.Count = strings.TrimSpace(line[countCol:])
		}
		entries = append(entries, e)
	}
	return entries
}
