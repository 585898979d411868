package providers

import "strings"

// legacyField maps a field onto the suffix of the single-provider variable
// that sets it, as in CODER_AI_GATEWAY_<suffix>.
type legacyField struct {
	field  string
	suffix string
}

// legacyProviders are the providers the single-provider variables define, in
// the order ParseEnv returns them. The Bedrock settings belong to anthropic.
var legacyProviders = []struct {
	typ    Type
	fields []legacyField
}{
	{TypeOpenAI, []legacyField{
		{fieldKey, "OPENAI_KEY"},
		{fieldBaseURL, "OPENAI_BASE_URL"},
	}},
	{TypeAnthropic, []legacyField{
		{fieldKey, "ANTHROPIC_KEY"},
		{fieldBaseURL, "ANTHROPIC_BASE_URL"},
		{fieldBedrockRegion, "BEDROCK_REGION"},
		{fieldBedrockBaseURL, "BEDROCK_BASE_URL"},
		{fieldBedrockAccessKey, "BEDROCK_ACCESS_KEY"},
		{fieldBedrockSecret, "BEDROCK_ACCESS_KEY_SECRET"},
		{fieldBedrockModel, "BEDROCK_MODEL"},
		{fieldBedrockSmallFastModel, "BEDROCK_SMALL_FAST_MODEL"},
	}},
}

// legacyDumpDirs are the suffixes of the ignored per-provider dump directory
// variables.
var legacyDumpDirs = []string{"OPENAI_DUMP_DIR", "ANTHROPIC_DUMP_DIR"}

// legacy parses the providers defined by the single-provider variables. A
// provider exists when any of its variables is set; its name is its type.
func (p *parser) legacy() []provider {
	for _, suffix := range legacyDumpDirs {
		for _, prefix := range []string{envPrefix, deprecatedEnvPrefix} {
			if _, ok := p.env[prefix+suffix]; ok {
				p.warn("%s is ignored: per-provider dump directories are no longer supported; "+
					"set %s instead", prefix+suffix, dumpDirVar)
			}
		}
	}

	var providers []provider
	for _, lp := range legacyProviders {
		suffixes := make(map[string]string, len(lp.fields))
		fs := fieldSet{
			vars:    map[string]envVar{},
			varName: func(field string) string { return envPrefix + suffixes[field] },
		}

		var sources []string
		for _, lf := range lp.fields {
			suffixes[lf.field] = lf.suffix
			if v, ok := p.legacyVar(lf.suffix); ok {
				fs.vars[lf.field] = v
				sources = append(sources, v.name)
			}
		}
		if len(sources) == 0 {
			continue
		}

		pr := provider{named: true, nameVar: sources[0], sources: sources}
		pr.spec = p.spec(fs, lp.typ)
		pr.spec.Name = string(lp.typ)
		providers = append(providers, pr)
	}
	return providers
}

// legacyVar looks up the single-provider variable with suffix in both
// spellings. The deprecated spelling is used, with a warning, only when the
// current one is unset; both set to different values is an error.
func (p *parser) legacyVar(suffix string) (envVar, bool) {
	current := envVar{name: envPrefix + suffix, value: p.env[envPrefix+suffix]}
	old := envVar{name: deprecatedEnvPrefix + suffix, value: p.env[deprecatedEnvPrefix+suffix]}

	switch {
	case old.value == "":
		return current, current.value != ""
	case current.value == "":
		p.warn("%s is deprecated; use %s instead", old.name, current.name)
		return old, true
	case old.value != current.value:
		p.fail(old.name, "conflicts with %s, which is set to a different value; "+
			"keep only %s", current.name, current.name)
		return current, true
	default:
		p.warn("%s is deprecated and repeats %s; remove it", old.name, current.name)
		return current, true
	}
}

// checkNames reports provider names used twice, and indexed providers that
// take the name of a legacy provider.
func (p *parser) checkNames(indexed, legacy []provider) {
	seen := map[string]provider{}
	for _, pr := range indexed {
		if !pr.named {
			continue
		}
		if prev, ok := seen[pr.spec.Name]; ok {
			p.fail(pr.nameVar, "names the same provider as %s; provider names must be unique",
				prev.nameVar)
			continue
		}
		seen[pr.spec.Name] = pr
	}

	for _, l := range legacy {
		pr, ok := seen[l.spec.Name]
		if !ok {
			continue
		}
		p.fail(pr.nameVar, "names the same provider as the legacy variables %s; "+
			"give the indexed provider another name with %s, or remove the legacy variables",
			strings.Join(l.sources, ", "), pr.renameVar)
	}
}
