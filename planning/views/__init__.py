"""Plan views, one module per workflow: authoring (plans and items), links, time travel
(editions, past views, comparisons), overviews, alignment and search."""
