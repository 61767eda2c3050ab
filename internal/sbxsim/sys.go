package sbxsim

import (
	"encoding/json"
	"os"
	"syscall"
)

var syscallZero = syscall.Signal(0)

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
