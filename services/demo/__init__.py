"""``bayanat demo``: a believable bilingual picture of the platform, loaded through the four
services' public APIs only, as a portal front-end and its users would (never by writing a
table). It is a client: it imports no service's code.

- ``picture``: who publishes what (institutions, their series of datasets, developers, reuses);
- ``tables``: the figures of each dataset, generated, plausible, as CSV and JSON files;
- ``plan``: what one run loads at a scale, and what becomes of each dataset;
- ``loader``: the run itself through the four APIs, and the mailbox of the development mail;
- ``runner``: ``bayanat demo`` and the load ``make run`` does once, with the figures that must
  agree across the services afterwards.
"""
