package xec

import (
	"os"
	"strconv"
)

// OwnerEnv names the git-airlock process a child's own children belong
// to: set for the git commands that start the remote helper (a fetch), so
// that the helper ends when git-airlock does even where no parent-death
// signal ends git-airlock's git with it (outside Linux), and so its sbx
// child with it.
const OwnerEnv = "GIT_AIRLOCK_OWNER"

// Owner is the OwnerEnv setting of this process, for a child's Env.
func Owner() string { return OwnerEnv + "=" + strconv.Itoa(os.Getpid()) }
