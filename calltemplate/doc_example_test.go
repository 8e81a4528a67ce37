package calltemplate_test

import (
	"fmt"

	"github.com/fanbench/fanbench/calltemplate"
)

func Example() {
	data := &calltemplate.Data{Columns: []string{"user"}, Rows: [][]string{{"alice"}, {"bob"}}}
	body, err := calltemplate.Parse(`{"order": {{.Seq}}, "user": "{{.Data.user}}"}`, calltemplate.Env{Seed: 42, Data: data})
	if err != nil {
		panic(err)
	}
	fmt.Println(body.Expand(1))
	// Output: {"order": 1, "user": "bob"}
}
