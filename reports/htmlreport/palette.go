package htmlreport

// palette is Tableau 10: distinct hues that stay apart for the common
// colour-vision deficiencies and in print.
var palette = []string{
	"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
}

// colours gives every strategy one colour, the same in every chart of a
// page: by order of first appearance in the lists given.
type colours map[string]string

func coloursFor(lists ...[]string) colours {
	c := colours{}
	for _, names := range lists {
		for _, n := range names {
			if _, ok := c[n]; !ok {
				c[n] = palette[len(c)%len(palette)]
			}
		}
	}
	return c
}

// of returns the colour of strategy name; grey for a name not given.
func (c colours) of(name string) string {
	if v, ok := c[name]; ok {
		return v
	}
	return "#888888"
}

// kindColours colour the failure kinds and status classes, which mean the
// same thing in every chart: red for server errors, amber for client
// errors and rate limits, purple for timeouts.
var kindColours = map[string]string{
	"ok":           "#59a14f",
	"partial":      "#edc948",
	"failed":       "#e15759",
	"2xx":          "#59a14f",
	"3xx":          "#76b7b2",
	"4xx":          "#f28e2b",
	"429":          "#edc948",
	"5xx":          "#e15759",
	"http_4xx":     "#f28e2b",
	"http_5xx":     "#e15759",
	"timeout":      "#b07aa1",
	"canceled":     "#9c755f",
	"refused":      "#ff9da7",
	"reset":        "#d37295",
	"transport":    "#a0cbe8",
	"breaker_open": "#79706e",
	"limited":      "#86bcb6",
	"skipped":      "#bab0ac",
	"rejected":     "#8cd17d",
	"dead_letter":  "#b07aa1",
}

func kindColour(kind string) string {
	if c, ok := kindColours[kind]; ok {
		return c
	}
	return "#bab0ac"
}
