package sse_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/aigateway/aigateway/sse"
)

// chatStream returns a 20-event chat completion stream as OpenAI sends it:
// a role chunk, seventeen content chunks, a usage chunk and [DONE].
func chatStream() []byte {
	const head = `{"id":"chatcmpl-BxQ3","object":"chat.completion.chunk",` +
		`"created":1764000000,"model":"gpt-4.1-2025-04-14","service_tier":"default",` +
		`"system_fingerprint":"fp_b3f1157249",`

	var b bytes.Buffer
	fmt.Fprintf(&b, "data: %s\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","+
		"\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],"+
		"\"usage\":null}\n\n", head)
	for i := range 17 {
		fmt.Fprintf(&b, "data: %s\"choices\":[{\"index\":0,\"delta\":{\"content\":"+
			"\" token%02d\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
			head, i)
	}
	fmt.Fprintf(&b, "data: %s\"choices\":[],\"usage\":{\"prompt_tokens\":1204,"+
		"\"completion_tokens\":17,\"total_tokens\":1221,\"prompt_tokens_details\":"+
		"{\"cached_tokens\":1024,\"audio_tokens\":0},\"completion_tokens_details\":"+
		"{\"reasoning_tokens\":0,\"audio_tokens\":0}}}\n\n", head)
	b.WriteString("data: [DONE]\n\n")
	return b.Bytes()
}

func BenchmarkScanner(b *testing.B) {
	stream := chatStream()

	for _, chunk := range []int{len(stream), 512, 64} {
		b.Run(fmt.Sprintf("read=%d", chunk), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(stream)))

			for b.Loop() {
				r := &chunkReader{r: bytes.NewReader(stream), n: chunk}
				sc := sse.NewScanner(r)
				n := 0
				for {
					_, err := sc.Next()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != 20 {
					b.Fatalf("got %d events, want 20", n)
				}
			}
		})
	}
}
