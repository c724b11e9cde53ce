"""Contest pages, one module per subject: thin adapters over the services and selectors, one
URL per action. Managers (the organizer's staff) configure, run and publish; townships enter
data for their own entrants; judges score on their phones; the public votes without logging
in (`contests.voting.views`)."""
