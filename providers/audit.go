package providers

import (
	"encoding/json"
	"fmt"
)

// Audit words for provider changes, as stored in audit_logs. Whoever
// changes a provider records it with these, so that one change reads the
// same whichever path made it.
const (
	// AuditResourceProvider is the resource_type of a provider; its
	// resource_id is the provider's row id.
	AuditResourceProvider = "ai_provider"
	// AuditResourceProviderKey is the resource_type of a provider key; its
	// resource_id is the key's row id.
	AuditResourceProviderKey = "ai_provider_key"
	// AuditActionCreate records a provider's or a key's creation.
	AuditActionCreate = "create"
	// AuditActionUpdate records a change to a provider.
	AuditActionUpdate = "update"
	// AuditActionDelete records a provider's or a key's removal.
	AuditActionDelete = "delete"
)

// auditView is a provider as an audit entry shows it: API keys and AWS
// access keys as masked hints, AWS secrets left out.
type auditView struct {
	Name    string        `json:"name"`
	Type    Type          `json:"type"`
	Enabled bool          `json:"enabled"`
	BaseURL string        `json:"base_url"`
	Keys    []string      `json:"keys"`
	Bedrock *auditBedrock `json:"bedrock,omitempty"`
}

// auditBedrock is the Bedrock part of an auditView.
type auditBedrock struct {
	Region         string   `json:"region,omitempty"`
	BaseURL        string   `json:"base_url,omitempty"`
	Model          string   `json:"model,omitempty"`
	SmallFastModel string   `json:"small_fast_model,omitempty"`
	AccessKeys     []string `json:"access_keys,omitempty"`
}

// createDiff returns the audit diff of a provider created from spec,
// enabled: {"after": <provider>} with its secrets masked.
func createDiff(spec Spec) ([]byte, error) {
	view := auditView{
		Name:    spec.Name,
		Type:    spec.Type,
		Enabled: true,
		BaseURL: spec.canonicalBaseURL(),
		Keys:    maskAll(spec.Keys),
	}
	if b := spec.Bedrock; b != nil {
		view.Bedrock = &auditBedrock{
			Region:         b.Region,
			BaseURL:        b.BaseURL,
			Model:          b.Model,
			SmallFastModel: b.SmallFastModel,
		}
		for _, c := range b.Credentials {
			view.Bedrock.AccessKeys = append(view.Bedrock.AccessKeys, MaskKey(c.AccessKey))
		}
	}

	data, err := json.Marshal(map[string]auditView{"after": view})
	if err != nil {
		return nil, fmt.Errorf("encode audit diff: %w", err)
	}
	return data, nil
}
