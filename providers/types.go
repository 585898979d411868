package providers

import (
	"errors"
	"fmt"
	"strings"
)

// Type is a provider type. TypeOpenAI and TypeAnthropic are the types the
// gateway serves; any other string is kept as configured so that the seed
// can skip it with a log line rather than fail.
type Type string

// The provider types the gateway serves.
const (
	// TypeOpenAI is an OpenAI-compatible upstream (chat completions and
	// responses).
	TypeOpenAI Type = "openai"
	// TypeAnthropic is an Anthropic messages upstream, reached directly or
	// through AWS Bedrock.
	TypeAnthropic Type = "anthropic"
)

// Known reports whether the gateway serves providers of type t.
func (t Type) Known() bool {
	return t == TypeOpenAI || t == TypeAnthropic
}

// DefaultBaseURL returns the base URL a provider of type t uses when none is
// configured, or "" for a type without one.
func DefaultBaseURL(t Type) string {
	switch t {
	case TypeOpenAI:
		return "https://api.openai.com/v1"
	case TypeAnthropic:
		return "https://api.anthropic.com"
	default:
		return ""
	}
}

// MaxKeys is the most keys (or AWS credentials) one provider may list.
const MaxKeys = 5

// AWSCredential is one static AWS access key and its secret.
type AWSCredential struct {
	AccessKey string
	Secret    string
}

// Bedrock holds the settings of an Anthropic provider reached through AWS
// Bedrock.
type Bedrock struct {
	// Region is the AWS region, such as "us-east-1".
	Region string
	// BaseURL overrides the Bedrock runtime endpoint; "" means the regional
	// default. It is normalised like Spec.BaseURL.
	BaseURL string
	// Model is the Bedrock model (or inference profile) used for requests.
	Model string
	// SmallFastModel is the model used for light background requests.
	SmallFastModel string
	// Credentials are the static AWS credentials, in failover order. Empty
	// means the ambient AWS credentials are used.
	Credentials []AWSCredential
}

// Spec is one provider as configured, by the environment or in the database.
type Spec struct {
	// Name identifies the provider in routes and records; see ValidName.
	Name string
	// Type selects the upstream API.
	Type Type
	// BaseURL is the normalised upstream base URL. When unset it defaults
	// per type (see DefaultBaseURL); unknown types may leave it empty.
	BaseURL string
	// Keys are the API keys, in failover order.
	Keys []string
	// Bedrock is set when the provider goes through AWS Bedrock, nil
	// otherwise.
	Bedrock *Bedrock
	// KeysVar is the environment variable the keys came from, for warnings.
	// It is "" when the keys came from the database or no key variable was
	// set.
	KeysVar string
}

// EnvConfig is what the environment says about providers.
type EnvConfig struct {
	// Providers are the configured providers: indexed ones by index, then the
	// legacy openai and anthropic providers.
	Providers []Spec
	// Warnings are operator-facing notes, such as deprecated spellings or
	// ignored variables. They name variables, never values.
	Warnings []string
}

// ValidName reports whether name is a valid provider name: lowercase letters
// and digits in groups joined by single hyphens, that is
// ^[a-z0-9]+(-[a-z0-9]+)*$.
func ValidName(name string) bool {
	if name == "" || strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-") {
		return false
	}
	if strings.Contains(name, "--") {
		return false
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// Errors of Insert for a spec the table must not hold.
var (
	// ErrInvalidName means the name does not match ValidName.
	ErrInvalidName = errors.New("invalid provider name: use lowercase letters, digits and single dashes")
	// ErrTooManyKeys means more than MaxKeys keys.
	ErrTooManyKeys = fmt.Errorf("too many keys: at most %d are allowed", MaxKeys)
)
