from services.insights.entrypoints.main import run

run()
