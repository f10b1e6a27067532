package chime

// Meeting dial-outs (spec part 2 §4.38, §9.8; D40).

// DialOutTx holds the Tx methods of recorded dial-outs (sqlstore/dialouts.go).
type DialOutTx interface{}
