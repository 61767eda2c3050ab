package sbx

import (
	"reflect"
	"testing"
)

func TestParsePorts(t *testing.T) {
	web := Port{HostIP: "127.0.0.1", HostPort: 54321, SandboxPort: 3000, Protocol: "tcp4"}
	git := Port{HostIP: "127.0.0.1", HostPort: 60013, SandboxPort: 9418, Protocol: "tcp4"}
	for _, tc := range []struct {
		name, out string
		want      []Port
	}{
		{"bare array", `[{"host_ip":"127.0.0.1","host_port":60013,"sandbox_port":9418,"protocol":"tcp4"},{"host_ip":"127.0.0.1","host_port":54321,"sandbox_port":3000,"protocol":"tcp4"}]`, []Port{git, web}},
		{"object", `{"ports":[{"host_ip":"127.0.0.1","host_port":54321,"sandbox_port":3000,"protocol":"tcp4"}]}`, []Port{web}},
		{"numbers as strings, notice first", "A new version of sbx is available\n" + `[{"host_ip":"127.0.0.1","host_port":"54321","sandbox_port":"3000","protocol":"tcp4","extra":true}]`, []Port{web}},
		{"camelCase", `[{"hostIP":"127.0.0.1","hostPort":54321,"sandboxPort":3000,"protocol":"tcp4"}]`, []Port{web}},
		{"empty list", `{"ports":null}`, nil},
		{"table", "127.0.0.1:60013->9418/tcp4\n127.0.0.1:54321->3000/tcp4\n", []Port{git, web}},
		{"table with header and IPv6", "SANDBOX   PORTS\nbox       [::1]:8080->80/tcp6, 127.0.0.1:54321->3000/tcp4\n",
			[]Port{{HostIP: "::1", HostPort: 8080, SandboxPort: 80, Protocol: "tcp6"}, web}},
		{"nothing", "  \n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePorts([]byte(tc.out))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if _, err := ParsePorts([]byte(`{"sandboxes":[]}`)); err == nil {
		t.Error("an object without ports was accepted")
	}
}

func FuzzParsePorts(f *testing.F) {
	f.Add([]byte(`[{"host_ip":"127.0.0.1","host_port":1,"sandbox_port":2,"protocol":"tcp4"}]`))
	f.Add([]byte("127.0.0.1:1->2/tcp4"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ports, err := ParsePorts(b)
		if err != nil {
			return
		}
		for _, p := range ports {
			// A mapping read from a table is always a pair of ports.
			if p.HostPort < 0 || p.SandboxPort < 0 {
				t.Fatalf("negative port in %+v", p)
			}
		}
	})
}
