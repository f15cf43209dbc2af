print("reid")
