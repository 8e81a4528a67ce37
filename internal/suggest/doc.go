// Package suggest finds the name a user probably meant (a typo of a key, a
// strategy, a flag) and writes the "did you mean" tail of an error message.
//
//	msg := "unknown strategy " + strconv.Quote(name) + suggest.Choices(name, "known", names)
//	// unknown strategy "fanuot"; did you mean "fanout"? known: sequential, fanout
package suggest
