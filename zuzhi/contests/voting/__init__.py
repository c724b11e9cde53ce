"""The public vote (群众投票): services, selectors, its API, the production server's short path
(`fastvote`) and the SMS backends."""
