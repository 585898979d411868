package providers

import "strings"

// spec builds the spec of one provider of type typ from its variables,
// recording every problem. Indexed and legacy providers share it, so that
// both follow the same rules. The caller sets the name.
func (p *parser) spec(fs fieldSet, typ Type) Spec {
	s := Spec{Type: typ}
	s.Keys, s.KeysVar, _ = p.keyList(fs, fieldKey, fieldKeys)

	s.BaseURL = p.baseURL(fs, fieldBaseURL)
	if _, set := fs.vars[fieldBaseURL]; !set {
		s.BaseURL = DefaultBaseURL(typ)
	}

	s.Bedrock = p.bedrock(fs, typ, s.KeysVar)
	return s
}

// keyList parses the list in whichever of the fields single and plural is
// set; setting both is an error. It returns the entries, the variable they
// came from ("" when neither is set) and whether the list is usable.
//
// Entries are comma-separated and trimmed; an empty entry, a repeated entry
// or more than MaxKeys entries is an error.
func (p *parser) keyList(fs fieldSet, single, plural string) ([]string, string, bool) {
	one, oneSet := fs.vars[single]
	many, manySet := fs.vars[plural]
	switch {
	case oneSet && manySet:
		p.fail(one.name, "conflicts with %s; set only one of them", many.name)
		return nil, "", false
	case manySet:
		one = many
	case !oneSet:
		return nil, "", true
	}

	entries := strings.Split(one.value, ",")
	if len(entries) > MaxKeys {
		p.fail(one.name, "lists %d entries; at most %d are allowed", len(entries), MaxKeys)
		return nil, "", false
	}
	seen := make(map[string]bool, len(entries))
	for i, entry := range entries {
		entry = strings.TrimSpace(entry)
		switch {
		case entry == "":
			p.fail(one.name, "entry %d is empty; separate entries with single commas", i+1)
			return nil, "", false
		case seen[entry]:
			p.fail(one.name, "entry %d repeats an earlier entry; list each once", i+1)
			return nil, "", false
		}
		seen[entry] = true
		entries[i] = entry
	}
	return entries, one.name, true
}

// baseURL returns the normalised URL in field, or "" when it is unset or
// invalid.
func (p *parser) baseURL(fs fieldSet, field string) string {
	v, ok := fs.vars[field]
	if !ok {
		return ""
	}
	u, err := NormaliseBaseURL(v.value)
	if err != nil {
		p.errs = append(p.errs, &EnvError{Var: v.name, Err: err})
		return ""
	}
	return u
}

// bedrock returns the Bedrock settings in fs, or nil when there are none to
// keep. keysVar is the variable holding the provider's API keys, "" when it
// has none.
//
// A provider that authenticates with API keys and sets Bedrock details but
// no AWS credentials does not go through Bedrock: the details are dropped
// with a warning. Bedrock is for Anthropic only; an OpenAI provider that
// sets it is an error, while unknown types keep it for whoever serves them.
func (p *parser) bedrock(fs fieldSet, typ Type, keysVar string) *Bedrock {
	var set []string
	for _, field := range bedrockFields {
		if v, ok := fs.vars[field]; ok {
			set = append(set, v.name)
		}
	}
	if len(set) == 0 {
		return nil
	}
	if typ == TypeOpenAI {
		p.fail(set[0], "Bedrock settings apply only to %s providers", TypeAnthropic)
		return nil
	}

	b := &Bedrock{
		Region:         fs.vars[fieldBedrockRegion].value,
		BaseURL:        p.baseURL(fs, fieldBedrockBaseURL),
		Model:          fs.vars[fieldBedrockModel].value,
		SmallFastModel: fs.vars[fieldBedrockSmallFastModel].value,
	}
	creds, ok := p.credentials(fs)
	if !ok {
		return nil
	}
	b.Credentials = creds

	if keysVar != "" && len(b.Credentials) == 0 {
		p.warn("%s ignored: the provider authenticates with %s and sets no AWS credentials",
			strings.Join(set, ", "), keysVar)
		return nil
	}
	return b
}

// credentials pairs the Bedrock access keys with their secrets. It reports
// false when they cannot be paired, after recording why.
func (p *parser) credentials(fs fieldSet) ([]AWSCredential, bool) {
	keys, keysVar, keysOK := p.keyList(fs, fieldBedrockAccessKey, fieldBedrockAccessKeys)
	secrets, secretsVar, secretsOK := p.keyList(fs, fieldBedrockSecret, fieldBedrockSecrets)
	if !keysOK || !secretsOK {
		return nil, false
	}

	if len(keys) != len(secrets) {
		if keysVar == "" {
			keysVar = fs.varName(fieldBedrockAccessKey)
		}
		if secretsVar == "" {
			secretsVar = fs.varName(fieldBedrockSecret)
		}
		p.fail(keysVar, "lists %d access keys but %s lists %d secrets; "+
			"give one secret per access key, in the same order",
			len(keys), secretsVar, len(secrets))
		return nil, false
	}

	var creds []AWSCredential
	for i := range keys {
		creds = append(creds, AWSCredential{AccessKey: keys[i], Secret: secrets[i]})
	}
	return creds, true
}
