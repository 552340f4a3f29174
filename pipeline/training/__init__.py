"""Off the runtime path: training the NER model and the measure classifier, grouped
cross-validation and the retraining gate. ``extract`` never imports it.
"""
