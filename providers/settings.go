package providers

import (
	"encoding/json"
	"fmt"

	"github.com/aigateway/aigateway/gen/db"
)

// settings is the layout of the settings column of ai_providers. Fields are
// omitted when empty, so that a provider without Bedrock stores {}.
type settings struct {
	Bedrock *bedrockSettings `json:"bedrock,omitempty"`
}

// bedrockSettings is Bedrock as stored in the settings column.
type bedrockSettings struct {
	Region         string               `json:"region,omitempty"`
	BaseURL        string               `json:"base_url,omitempty"`
	Model          string               `json:"model,omitempty"`
	SmallFastModel string               `json:"small_fast_model,omitempty"`
	Credentials    []credentialSettings `json:"credentials,omitempty"`
}

// credentialSettings is one AWS credential as stored in the settings column.
type credentialSettings struct {
	AccessKey string `json:"access_key"`
	Secret    string `json:"secret"`
}

// encodeSettings returns the settings column for spec.
func encodeSettings(spec Spec) ([]byte, error) {
	var s settings
	if b := spec.Bedrock; b != nil {
		s.Bedrock = &bedrockSettings{
			Region:         b.Region,
			BaseURL:        b.BaseURL,
			Model:          b.Model,
			SmallFastModel: b.SmallFastModel,
		}
		for _, c := range b.Credentials {
			s.Bedrock.Credentials = append(s.Bedrock.Credentials, credentialSettings(c))
		}
	}

	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode settings: %w", err)
	}
	return data, nil
}

// specFromRow returns the spec stored in row, with keys as its API keys.
// Decoding errors name types and fields, never values, so the error does
// not reveal the AWS secrets the settings hold.
func specFromRow(row db.AiProvider, keys []string) (Spec, error) {
	spec := Spec{
		Name:    row.Name,
		Type:    Type(row.Type),
		BaseURL: row.BaseUrl,
		Keys:    keys,
	}

	var s settings
	if err := json.Unmarshal(row.Settings, &s); err != nil {
		return Spec{}, fmt.Errorf("provider %q: decode settings: %w", row.Name, err)
	}
	if b := s.Bedrock; b != nil {
		spec.Bedrock = &Bedrock{
			Region:         b.Region,
			BaseURL:        b.BaseURL,
			Model:          b.Model,
			SmallFastModel: b.SmallFastModel,
		}
		for _, c := range b.Credentials {
			spec.Bedrock.Credentials = append(spec.Bedrock.Credentials, AWSCredential(c))
		}
	}
	return spec, nil
}

// FromRow returns the spec of a stored provider, with its keys in order.
func FromRow(row db.AiProvider, keys []string) (Spec, error) {
	return specFromRow(row, keys)
}
