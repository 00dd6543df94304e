"""The demo data of the run command (`manage.py seed_demo`): one module per app, each built
through that app's services, on the demo users of `accounts`."""
