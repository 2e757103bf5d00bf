"""Thin views of the graduated approach, split by concept: cycles (assess, plan, review and the pupil's
support page), delivery (logging sessions) and catalogue (provision, rates and the provision map)."""
