package bridge

import (
	"context"

	"github.com/google/uuid"

	"github.com/aigateway/aigateway/providers"
)

// BYOKSecretPrefix starts the name of a user secret that holds the user's
// own key for a provider: "byok:<provider name>".
const BYOKSecretPrefix = "byok:"

// Secrets reads users' stored secrets, in plain text.
type Secrets interface {
	// UserSecret returns the value of the user's secret called name. ok is
	// false, with a nil error, when the user keeps no secret of that name;
	// an error means the lookup itself failed.
	UserSecret(ctx context.Context, userID uuid.UUID, name string) (value string, ok bool, err error)
}

// BYOKSecretName returns the name of the user secret that holds a user's
// key for the provider named provider.
func BYOKSecretName(provider string) string {
	return BYOKSecretPrefix + provider
}

// storedCredential fills a BYOK credential that carries no provider key
// with the user's stored key for p, presented as the provider type
// expects it. Without a stored key the request is refused: the client
// chose BYOK, so the gateway does not fall back to the provider's keys.
func (h *Handler) storedCredential(
	ctx context.Context, p *providers.Provider, cred credential,
) (credential, *gatewayError) {
	name := BYOKSecretName(p.Name)
	if h.opts.Secrets == nil {
		return cred, errNoBYOKCredential(p.Type, name)
	}

	key, ok, err := h.opts.Secrets.UserSecret(ctx, cred.initiator.UserID, name)
	if err != nil {
		h.opts.Logger.Error("read stored byok key", "provider", p.Name,
			"user_id", cred.initiator.UserID, "error", err)
		return cred, errUnavailable("the gateway cannot read stored keys right now")
	}
	if !ok || key == "" {
		return cred, errNoBYOKCredential(p.Type, name)
	}

	cred.byokHeader, cred.byokValue = credentialHeader(p.Type, key)
	cred.stored = key
	return cred, nil
}
