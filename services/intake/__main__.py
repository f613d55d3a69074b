from services.intake.entrypoints.main import run

run()
