// Package units holds the value types that fanbench's file formats share:
// durations written as "250ms", rates written as "500/s", fractions written
// as "1%" and sizes written as "4KiB". Each type reads and writes its text
// form (encoding.TextUnmarshaler and TextMarshaler), so YAML scenario files,
// JSON result files and admin endpoints all spell the same value the same
// way.
//
// It imports nothing but the standard library, so that every package,
// including the standalone mock upstream, can use it.
//
//	var r units.Rate
//	_ = r.UnmarshalText([]byte("500/s"))
//	fmt.Println(r.PerSecond()) // 500
package units
