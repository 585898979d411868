package providers

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The two spellings of every provider variable. The second one is deprecated.
const (
	envPrefix           = "CODER_AI_GATEWAY_"
	deprecatedEnvPrefix = "CODER_AIBRIDGE_"
)

// dumpDirVar is the one dump directory that replaces the per-provider ones.
const dumpDirVar = "CODER_AI_GATEWAY_DUMP_DIR"

// The fields of an indexed provider, as spelled after
// CODER_AI_GATEWAY_PROVIDER_<N>_. Legacy variables are mapped onto the same
// fields so that both forms share one set of rules.
const (
	fieldType                  = "TYPE"
	fieldName                  = "NAME"
	fieldKey                   = "KEY"
	fieldKeys                  = "KEYS"
	fieldBaseURL               = "BASE_URL"
	fieldBedrockRegion         = "BEDROCK_REGION"
	fieldBedrockBaseURL        = "BEDROCK_BASE_URL"
	fieldBedrockModel          = "BEDROCK_MODEL"
	fieldBedrockSmallFastModel = "BEDROCK_SMALL_FAST_MODEL"
	fieldBedrockAccessKey      = "BEDROCK_ACCESS_KEY"
	fieldBedrockAccessKeys     = "BEDROCK_ACCESS_KEYS"
	fieldBedrockSecret         = "BEDROCK_ACCESS_KEY_SECRET"
	fieldBedrockSecrets        = "BEDROCK_ACCESS_KEY_SECRETS"
	fieldDumpDir               = "DUMP_DIR"
)

// bedrockFields are the fields that configure Bedrock, in reporting order.
var bedrockFields = []string{
	fieldBedrockRegion, fieldBedrockBaseURL, fieldBedrockModel, fieldBedrockSmallFastModel,
	fieldBedrockAccessKey, fieldBedrockAccessKeys, fieldBedrockSecret, fieldBedrockSecrets,
}

// indexedFields are the fields an indexed provider accepts, apart from the
// ignored DUMP_DIR.
var indexedFields = append([]string{
	fieldType, fieldName, fieldKey, fieldKeys, fieldBaseURL,
}, bedrockFields...)

// EnvError reports a provider environment variable that cannot be used. It
// names the variable and never holds its value.
type EnvError struct {
	// Var is the variable to fix.
	Var string
	// Err says what is wrong; it may name other variables involved.
	Err error
}

// Error returns the variable and what is wrong with it.
func (e *EnvError) Error() string {
	return e.Var + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *EnvError) Unwrap() error {
	return e.Err
}

// ParseEnv reads the providers configured by environ, a list of "KEY=VALUE"
// entries as returned by os.Environ. When a key appears twice the first
// entry wins, as with os.Getenv.
//
// Every problem found is reported, joined into one error made of *EnvError
// values. On error the returned config holds no providers but still carries
// the warnings gathered so far.
func ParseEnv(environ []string) (EnvConfig, error) {
	p := newParser(environ)

	indexed := p.indexed()
	legacy := p.legacy()
	p.checkNames(indexed, legacy)

	if len(p.errs) > 0 {
		return EnvConfig{Warnings: p.warnings}, errors.Join(p.errs...)
	}

	cfg := EnvConfig{Warnings: p.warnings}
	for _, pr := range slices.Concat(indexed, legacy) {
		cfg.Providers = append(cfg.Providers, pr.spec)
	}
	return cfg, nil
}

// envVar is one set environment variable.
type envVar struct {
	name  string
	value string
}

// fieldSet is the variables of one provider, keyed by field.
type fieldSet struct {
	vars map[string]envVar
	// varName returns the variable to mention for a field that is not set.
	varName func(field string) string
}

// provider is a parsed provider with what the name checks need to know.
type provider struct {
	spec Spec
	// named is set when the name is valid and takes part in the uniqueness
	// checks.
	named bool
	// nameVar is the variable the name came from: NAME, or TYPE when the
	// name defaults to the type, or the first legacy variable.
	nameVar string
	// renameVar is the NAME variable that renames an indexed provider.
	renameVar string
	// sources are the variables that define a legacy provider.
	sources []string
}

// parser gathers providers, warnings and errors from one environment.
type parser struct {
	env      map[string]string
	names    []string // the keys of env, sorted
	warnings []string
	errs     []error
}

// newParser indexes environ. Blank values are dropped, so that a variable
// exported empty by a deployment template counts as unset.
func newParser(environ []string) *parser {
	env := make(map[string]string, len(environ))
	for _, entry := range environ {
		name, value, ok := strings.Cut(entry, "=")
		if !ok || name == "" {
			continue
		}
		if _, seen := env[name]; seen {
			continue
		}
		env[name] = strings.TrimSpace(value)
	}

	p := &parser{env: make(map[string]string, len(env))}
	for name, value := range env {
		if value != "" {
			p.env[name] = value
			p.names = append(p.names, name)
		}
	}
	slices.Sort(p.names)
	return p
}

// fail records an error about the variable name. The message must not
// contain any value read from the environment.
func (p *parser) fail(name, format string, args ...any) {
	p.errs = append(p.errs, &EnvError{Var: name, Err: fmt.Errorf(format, args...)})
}

// warn records a warning. The message must not contain any value read from
// the environment.
func (p *parser) warn(format string, args ...any) {
	p.warnings = append(p.warnings, fmt.Sprintf(format, args...))
}

// indexGroup is the variables of one provider index.
type indexGroup struct {
	index      int
	vars       map[string]envVar
	current    []string // variables in the CODER_AI_GATEWAY_ spelling
	deprecated []string // variables in the CODER_AIBRIDGE_ spelling
}

// indexed parses the CODER_AI_GATEWAY_PROVIDER_<N>_<FIELD> providers, in
// index order.
func (p *parser) indexed() []provider {
	groups := map[int]*indexGroup{}
	for _, name := range p.names {
		prefix, index, field, ok := p.splitIndexed(name)
		if !ok {
			continue
		}

		g := groups[index]
		if g == nil {
			g = &indexGroup{index: index, vars: map[string]envVar{}}
			groups[index] = g
		}
		g.vars[field] = envVar{name: name, value: p.env[name]}
		if prefix == deprecatedEnvPrefix {
			g.deprecated = append(g.deprecated, name)
		} else {
			g.current = append(g.current, name)
		}
	}

	indices := slices.Sorted(maps.Keys(groups))
	for i, index := range indices {
		if i != index {
			p.fail(indexedVar(envPrefix, i, fieldType),
				"provider %d is not configured but provider %d is; "+
					"number providers from 0 without gaps", i, index)
			break
		}
	}

	var providers []provider
	for _, index := range indices {
		if pr, ok := p.indexedProvider(groups[index]); ok {
			providers = append(providers, pr)
		}
	}
	return providers
}

// splitIndexed splits an indexed provider variable into its spelling, index
// and field. It reports false for other variables, and for indexed ones that
// are malformed, unknown or ignored, after recording why.
func (p *parser) splitIndexed(name string) (prefix string, index int, field string, ok bool) {
	var rest string
	for _, prefix = range []string{envPrefix, deprecatedEnvPrefix} {
		if rest, ok = strings.CutPrefix(name, prefix+"PROVIDER_"); ok {
			break
		}
	}
	if !ok {
		return "", 0, "", false
	}

	digits, field, _ := strings.Cut(rest, "_")
	index, err := strconv.Atoi(digits)
	canonical := err == nil && index >= 0 && strconv.Itoa(index) == digits
	if !canonical || field == "" {
		p.fail(name, "not a provider variable; want %sPROVIDER_<N>_<FIELD> "+
			"with N a decimal index without leading zeros", envPrefix)
		return "", 0, "", false
	}

	switch {
	case field == fieldDumpDir:
		p.warn("%s is ignored: per-provider dump directories are no longer supported; "+
			"set %s instead", name, dumpDirVar)
		return "", 0, "", false
	case !slices.Contains(indexedFields, field):
		p.fail(name, "unknown provider field %s; want one of %s",
			field, strings.Join(indexedFields, ", "))
		return "", 0, "", false
	}
	return prefix, index, field, true
}

// indexedProvider parses the provider of one index group.
func (p *parser) indexedProvider(g *indexGroup) (provider, bool) {
	if len(g.current) > 0 && len(g.deprecated) > 0 {
		p.fail(g.deprecated[0], "mixes the deprecated %sPROVIDER_%d_ spelling with %s; "+
			"use only %sPROVIDER_%d_ variables", deprecatedEnvPrefix, g.index,
			g.current[0], envPrefix, g.index)
		return provider{}, false
	}

	prefix := envPrefix
	if len(g.deprecated) > 0 {
		prefix = deprecatedEnvPrefix
		for _, name := range g.deprecated {
			p.warn("%s is deprecated; use %s instead",
				name, envPrefix+strings.TrimPrefix(name, deprecatedEnvPrefix))
		}
	}
	fs := fieldSet{
		vars:    g.vars,
		varName: func(field string) string { return indexedVar(prefix, g.index, field) },
	}

	typeVar, ok := fs.vars[fieldType]
	if !ok {
		p.fail(fs.varName(fieldType), "required: provider %d has other variables set", g.index)
		return provider{}, false
	}
	typ := Type(strings.ToLower(typeVar.value))

	pr := provider{nameVar: typeVar.name, renameVar: fs.varName(fieldName)}
	name := string(typ)
	if v, ok := fs.vars[fieldName]; ok {
		name, pr.nameVar = v.value, v.name
	}
	switch {
	case ValidName(name):
		pr.named = true
	case pr.nameVar == typeVar.name:
		p.fail(pr.nameVar, "the provider name defaults to the type and must match "+
			"^[a-z0-9]+(-[a-z0-9]+)*$; set %s", pr.renameVar)
	default:
		p.fail(pr.nameVar, "provider names must match ^[a-z0-9]+(-[a-z0-9]+)*$")
	}

	pr.spec = p.spec(fs, typ)
	pr.spec.Name = name
	return pr, true
}

// indexedVar returns the variable of field for provider index.
func indexedVar(prefix string, index int, field string) string {
	return prefix + "PROVIDER_" + strconv.Itoa(index) + "_" + field
}
