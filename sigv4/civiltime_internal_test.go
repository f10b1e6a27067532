package sigv4

import (
	"fmt"
	"testing"
	"time"
)

// civilTime must accept exactly what time.Parse accepts with the X-Amz-Date layout, and return the same time.
func TestCivilTimeMatchesTimeParse(t *testing.T) {
	var dates []string
	for _, y := range []int{0, 1900, 2000, 2023, 2024, 2100, 9999} {
		for m := 0; m <= 13; m++ {
			for _, d := range []int{0, 1, 28, 29, 30, 31, 32} {
				dates = append(dates, fmt.Sprintf("%04d%02d%02d", y, m, d))
			}
		}
	}
	clocks := []string{"000000", "235959", "240000", "236000", "235960", "120000", "99999a", "12000"}
	dates = append(dates, "2024022", "2024-2-1", "2024022x", "+0240229")
	n := 0
	for _, d := range dates {
		for _, c := range clocks {
			want, err := time.Parse(amzDateLayout, d+"T"+c+"Z")
			got, ok := civilTime(d, c)
			if ok != (err == nil) || ok && !got.Equal(want) {
				t.Errorf("civilTime(%q, %q) = %v, %v; time.Parse: %v, %v", d, c, got, ok, want, err)
			}
			if ok {
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no valid date in the table")
	}
}

// civilDate (the credential scope's date) must accept exactly the dates time.Parse accepts as yyyymmdd.
func TestCivilDateMatchesTimeParse(t *testing.T) {
	years := []int{0, 1, 4, 100, 400, 1600, 1700, 1900, 1996, 2000, 2023, 2024, 2100, 2400, 9996, 9999}
	for y := 3; y <= 9999; y += 97 {
		years = append(years, y)
	}
	for _, y := range years {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				s := fmt.Sprintf("%04d%02d%02d", y, m, d)
				want, err := time.Parse("20060102", s)
				gy, gm, gd, ok := civilDate(s)
				if ok != (err == nil) || ok && (gy != want.Year() || gm != int(want.Month()) || gd != want.Day()) {
					t.Fatalf("civilDate(%q) = %d %d %d %v; time.Parse: %v, %v", s, gy, gm, gd, ok, want, err)
				}
			}
		}
	}
}
