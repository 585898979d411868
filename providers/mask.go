package providers

import (
	"fmt"
	"log/slog"
	"strings"
)

// minMaskedLen is the shortest secret MaskKey shows any part of. Shorter
// secrets are all stars: revealing even a few characters of them would leave
// too little to guess.
const minMaskedLen = 12

// MaskKey returns a hint of a secret that is safe to log: "****" for a
// secret shorter than 12 characters, otherwise up to four leading and four
// trailing characters around "...", always hiding at least two thirds of
// the secret. An empty secret stays "".
func MaskKey(key string) string {
	runes := []rune(key)
	n := len(runes)
	switch {
	case n == 0:
		return ""
	case n < minMaskedLen:
		return "****"
	}

	// Show one character per side for every six, at most four per side.
	shown := min(n/6, 4)
	return string(runes[:shown]) + "..." + string(runes[n-shown:])
}

// String returns the credential with both parts masked, so that printing it
// never reveals it.
func (c AWSCredential) String() string {
	return fmt.Sprintf("{AccessKey:%s Secret:%s}", MaskKey(c.AccessKey), MaskKey(c.Secret))
}

// String returns the spec with its keys and secrets masked, so that printing
// it with the fmt verbs never reveals them.
func (s Spec) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "{Name:%s Type:%s BaseURL:%s Keys:%s", s.Name, s.Type, s.BaseURL,
		maskAll(s.Keys))
	if s.Bedrock != nil {
		fmt.Fprintf(&b, " Bedrock:{Region:%s BaseURL:%s Model:%s SmallFastModel:%s Credentials:%v}",
			s.Bedrock.Region, s.Bedrock.BaseURL, s.Bedrock.Model, s.Bedrock.SmallFastModel,
			s.Bedrock.Credentials)
	}
	fmt.Fprintf(&b, " KeysVar:%s}", s.KeysVar)
	return b.String()
}

// LogValue implements slog.LogValuer: the spec is logged as a group with its
// keys masked and its AWS secrets left out.
func (s Spec) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("name", s.Name),
		slog.String("type", string(s.Type)),
		slog.String("base_url", s.BaseURL),
		slog.Any("keys", maskAll(s.Keys)),
	}
	if s.Bedrock != nil {
		keys := make([]string, 0, len(s.Bedrock.Credentials))
		for _, c := range s.Bedrock.Credentials {
			keys = append(keys, MaskKey(c.AccessKey))
		}
		attrs = append(attrs, slog.Group("bedrock",
			slog.String("region", s.Bedrock.Region),
			slog.String("base_url", s.Bedrock.BaseURL),
			slog.String("model", s.Bedrock.Model),
			slog.String("small_fast_model", s.Bedrock.SmallFastModel),
			slog.Any("access_keys", keys),
		))
	}
	return slog.GroupValue(attrs...)
}

// maskAll masks each of keys.
func maskAll(keys []string) []string {
	masked := make([]string, 0, len(keys))
	for _, k := range keys {
		masked = append(masked, MaskKey(k))
	}
	return masked
}
