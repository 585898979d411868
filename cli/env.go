package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// Environment variable prefixes. Every CODER_AI_GATEWAY_X may also be
// spelled CODER_AIBRIDGE_X, the deprecated name.
const (
	EnvPrefix           = "CODER_AI_GATEWAY_"
	DeprecatedEnvPrefix = "CODER_AIBRIDGE_"
)

// environment is the process environment as a map.
type environment map[string]string

func parseEnviron(environ []string) environment {
	env := make(environment, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// EnvName returns the environment variable that sets a flag.
func EnvName(flag string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// lookup reads CODER_AI_GATEWAY_<suffix> or its deprecated spelling. It
// returns a warning when only the deprecated spelling is set, and an error
// when both are set to different values.
func (e environment) lookup(suffix string) (value string, ok bool, warning string, err error) {
	newName, oldName := EnvPrefix+suffix, DeprecatedEnvPrefix+suffix
	newVal, newOK := e[newName]
	oldVal, oldOK := e[oldName]

	switch {
	case newOK && oldOK && newVal != oldVal:
		return "", false, "", fmt.Errorf("%s and %s are both set, to different values; "+
			"unset %s, the deprecated name", newName, oldName, oldName)
	case newOK && oldOK:
		return newVal, true, fmt.Sprintf("%s is deprecated and repeats %s; unset it",
			oldName, newName), nil
	case newOK:
		return newVal, true, "", nil
	case oldOK:
		return oldVal, true, fmt.Sprintf("%s is deprecated; use %s", oldName, newName), nil
	}
	return "", false, "", nil
}

// applyEnv sets every flag not given on the command line from its
// environment variable, and returns the deprecation warnings.
func (e environment) applyEnv(flags *pflag.FlagSet) ([]string, error) {
	var warnings []string
	var firstErr error
	flags.VisitAll(func(f *pflag.Flag) {
		if firstErr != nil || f.Name == "help" {
			return
		}
		suffix := strings.TrimPrefix(EnvName(f.Name), EnvPrefix)
		value, ok, warning, err := e.lookup(suffix)
		if err != nil {
			firstErr = err
			return
		}
		if !ok || f.Changed {
			return
		}
		if warning != "" {
			warnings = append(warnings, warning)
		}
		if err := f.Value.Set(value); err != nil {
			firstErr = fmt.Errorf("invalid value for %s: %w", EnvPrefix+suffix, err)
		}
	})
	return warnings, firstErr
}
