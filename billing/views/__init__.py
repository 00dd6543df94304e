"""The billing API (API.md §9.5) and the two marketplace purchase endpoints of §9.4, which
billing serves because billing depends on marketplace and not the reverse."""
