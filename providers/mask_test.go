package providers_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/providers"
)

func TestMaskKey(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		key  string
		want string
	}{
		{name: "empty", key: "", want: ""},
		{name: "one character", key: "x", want: "****"},
		{name: "eleven characters", key: "abcdefghijk", want: "****"},
		{name: "twelve characters", key: "abcdefghijkl", want: "ab...kl"},
		{name: "eighteen characters", key: "abcdefghijklmnopqr", want: "abc...pqr"},
		{name: "openai key", key: "sk-abcdefghijklmnopqrstuvwxyz", want: "sk-a...wxyz"},
		{name: "long key", key: keyA, want: "sk-t...0001"},
		{name: "multibyte", key: "ключ-ключ-ключ", want: "кл...юч"},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			require.Equal(t, tc.want, providers.MaskKey(tc.key))
		})
	}
}

func TestMaskKeyHidesMost(t *testing.T) {
	t.Parallel()

	for n := 1; n <= 64; n++ {
		key := strings.Repeat("k", n)
		hint := strings.NewReplacer("...", "", "*", "").Replace(providers.MaskKey(key))
		shown := utf8.RuneCountInString(hint)
		require.LessOrEqual(t, shown, 8, "length %d", n)
		require.LessOrEqual(t, 3*shown, n, "length %d shows more than a third", n)
	}
}

func TestSpecPrintingMasksSecrets(t *testing.T) {
	t.Parallel()

	spec := hashSpec()
	secrets := []string{keyA, keyB, awsKeyA, awsKeyB, awsSecA, awsSecB}

	var logged bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logged, nil))
	logger.Info("provider", "spec", spec)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("provider", "spec", spec)

	outputs := map[string]string{
		"%v":      fmt.Sprintf("%v", spec),
		"%+v":     fmt.Sprintf("%+v", spec),
		"String":  spec.String(),
		"bedrock": fmt.Sprintf("%+v", *spec.Bedrock),
		"slog":    logged.String(),
	}
	for verb, out := range outputs {
		require.Contains(t, out, "us-east-1", verb)
		for _, secret := range secrets {
			require.NotContains(t, out, secret, verb)
		}
	}
	require.Contains(t, outputs["%v"], "sk-t...0001")
}
