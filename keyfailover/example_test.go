package keyfailover_test

import (
	"fmt"
	"net/http"

	"github.com/aigateway/aigateway/keyfailover"
)

func ExamplePool_Walk() {
	first := "sk-first-0000000000000000-0001"
	second := "sk-second-000000000000000-0002"
	pool, err := keyfailover.New("openai", []string{first, second})
	if err != nil {
		panic(err)
	}

	// A stand-in upstream that rate-limits the first key.
	answers := map[string]int{first: http.StatusTooManyRequests, second: http.StatusOK}

	w := pool.Walk()
	for {
		k, err := w.Next()
		if err != nil {
			fmt.Println("no key:", err)
			return
		}

		header := http.Header{"Retry-After": {"30"}}
		v := keyfailover.Classify(answers[k.Value()], header, nil)
		w.Report(k, v)
		fmt.Printf("%s success=%t failover=%t\n", k.Hint(), v.Success, v.Failover)
		if !v.Failover {
			break
		}
	}
	fmt.Println(pool.States()[0].State, pool.States()[0].Reason)

	// Output:
	// sk-f...0001 success=false failover=true
	// sk-s...0002 success=true failover=false
	// temporary rate_limit
}
