"""One module per protocol: routes in, typed models out; nothing about jobs."""
