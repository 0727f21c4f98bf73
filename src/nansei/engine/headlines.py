"""The headline outputs: the few outputs the terminal summary and the report lead with.

Kept out of :mod:`nansei.engine.layout` (which the kernel reads, so editing it recompiles the
kernel) and free of imports, so that the command line loads it at once.
"""

#: The headline outputs of ``nansei run`` and of the report's drivers table: (output, label);
#: evacuation rows only with civil protection, supply rows only with sustainment.
HEADLINES: tuple[tuple[str, str], ...] = (
    ("launchers_lost", "launchers lost"),
    ("time_first_loss_h", "time of the first loss (h)"),
    ("salvos_fired", "salvos fired"),
    ("targets_hit", "salvos that hit a target"),
    ("red_missiles_spent", "Red missiles spent"),
    ("red_missiles_wasted", "Red missiles wasted (empty sites, decoys)"),
    ("red_claimed_kills", "launchers Red claims destroyed"),
    ("pods_delivered", "pods delivered to supply points"),
    ("fuel_delivered_l", "fuel delivered to supply points (l)"),
    ("evac_remaining", "people not evacuated at the horizon"),
    ("evac_residents_at_strike", "residents in the region at the first strike"),
    ("evac_complete_h", "evacuation complete (h)"),
)
