package http

import (
	"context"

	chime "github.com/chimed/chimed"
)

// SearchAvailablePhoneNumbers returns a page of a number pool's available numbers (docs/behavior.md D21, D22).
func (h *handlers) SearchAvailablePhoneNumbers(ctx context.Context, id chime.Identity, in *SearchAvailablePhoneNumbersRequest) (SearchAvailablePhoneNumbersResponse, error) {
	list, next, err := h.svc.SearchAvailableNumbers(ctx, id.AwsAccountID, chime.SearchNumbersInput{
		AreaCode: in.AreaCode, City: in.City, Country: in.Country, State: in.State,
		TollFreePrefix: in.TollFreePrefix, Type: in.PhoneNumberType, MaxResults: pageSize(in.MaxResults),
		NextToken: in.NextToken})
	if err != nil {
		return SearchAvailablePhoneNumbersResponse{}, err
	}
	return SearchAvailablePhoneNumbersResponse{E164PhoneNumbers: list, NextToken: next}, nil
}

// ListSupportedPhoneNumberCountries lists the countries where numbers of a product type are offered (D30).
func (h *handlers) ListSupportedPhoneNumberCountries(ctx context.Context, id chime.Identity, in *ListSupportedPhoneNumberCountriesRequest) (ListSupportedPhoneNumberCountriesResponse, error) {
	list, err := h.svc.ListNumberCountries(ctx, in.ProductType)
	if err != nil {
		return ListSupportedPhoneNumberCountriesResponse{}, err
	}
	out := ListSupportedPhoneNumberCountriesResponse{PhoneNumberCountries: make([]PhoneNumberCountry, len(list))}
	for i, c := range list {
		types := make([]string, len(c.Types))
		for j, t := range c.Types {
			types[j] = string(t)
		}
		out.PhoneNumberCountries[i] = PhoneNumberCountry{CountryCode: c.Country, SupportedPhoneNumberTypes: types}
	}
	return out, nil
}
