from services.catalogue.entrypoints.main import run

run()
