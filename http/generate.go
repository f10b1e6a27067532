package http

// The wire layer's generated half (zz_*.go) comes from model/service-2.json; TestGeneratedFilesUpToDate fails
// when it is stale.
//go:generate go run ../model/gen/wiregen -out .
