from services.referral.entrypoints.main import run

run()
