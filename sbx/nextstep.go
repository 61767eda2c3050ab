package sbx

import (
	"errors"
	"strconv"

	"github.com/git-airlock/git-airlock/internal/hint"
)

// WithNextStep adds the next step to a typed sbx failure, as a hint
// (internal/hint): what to install, start, log in to or look at. Errors of
// other kinds come back as they are. It lives beside the types it reads so
// that the use cases and the remote helper give the same advice.
func WithNextStep(err error) error {
	var missing *MissingError
	var unsupported *UnsupportedError
	var notFound *NotFoundError
	var unreachable *UnreachableError
	var flood *OutputLimitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &flood) && flood.Name != "":
		return hint.With(err, "a program in sandbox "+strconv.Quote(flood.Name)+" printed without end: the agent controls the VM and may have replaced it (git on its PATH); look inside with 'git airlock shell --name "+flood.Name+"'")
	case errors.As(err, &flood):
		return hint.With(err, "sbx printed far more than any answer it gives; 'git airlock doctor' checks the installation")
	case errors.As(err, &unreachable):
		return hint.With(err, "check the connection with 'git airlock --host "+unreachable.Host+" doctor' (ssh runs in batch mode: no password or host-key prompt)")
	case errors.As(err, &missing) && missing.Host != "":
		return hint.With(err, "install sbx on "+missing.Host+", on the PATH of a non-interactive ssh session; 'git airlock --host "+missing.Host+" doctor' checks it")
	case errors.As(err, &missing):
		return hint.With(err, "install Docker Sandboxes (sbx): 'git airlock setup' shows how, 'git airlock doctor' checks the machine")
	case errors.As(err, &unsupported):
		return hint.With(err, "upgrade sbx to "+MinVersion.String()+" or newer (brew upgrade docker/tap/sbx, or your package manager)")
	case errors.Is(err, ErrNotLoggedIn):
		return hint.With(err, "run 'sbx login' (a Docker account is required even for local sandboxes)")
	case errors.Is(err, ErrDaemonDown):
		return hint.With(err, "start it with 'sbx daemon start', then try again; 'git airlock doctor' checks the rest")
	case errors.As(err, &notFound):
		return hint.With(err, "list sandboxes with 'git airlock ls'")
	}
	return err
}
