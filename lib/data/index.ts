export { loadIris, loadBreastCancer, loadDigits, loadDiabetes, type Dataset, type LoadOptions } from './datasets.js';
